import type { RunrateStore, StoreTransaction } from '../../src/store/store-port.js';

/**
 * The store, with every transaction it runs handed to its work as a copy of the transaction
 * (Object.create) whose methods `override` replaces: how tests watch or break one step of an
 * import without touching the store. `after` runs inside the transaction, once the work is done.
 */
export function withTransactionOverrides(
  store: RunrateStore,
  override: (tx: StoreTransaction) => Partial<StoreTransaction>,
  after: (tx: StoreTransaction, result: unknown) => Promise<void> = async () => undefined,
): RunrateStore {
  const transaction = store.transaction.bind(store);
  const wrapped = Object.create(store) as RunrateStore;
  wrapped.transaction = <T>(work: (tx: StoreTransaction) => Promise<T>) =>
    transaction(async (tx) => {
      const result = await work(Object.assign(Object.create(tx) as StoreTransaction, override(tx)));
      await after(tx, result);
      return result;
    });
  return wrapped;
}

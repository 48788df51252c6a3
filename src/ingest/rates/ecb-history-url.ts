/** The whole history since 1999, one zipped CSV, updated every working day around 16:00 CET. */
export const ECB_HISTORY_URL = 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip';

/**
 * Replays the recorded engine / reference-model disagreements (cases.ts). The model side checks
 * that the hand-derived expectation is what the model computes; the engine side is red while a
 * case is open and a regression test once it is settled.
 */
import { describe, expect, it } from 'vitest';
import { computeMovements } from '../../../src/engine/compute-movements.js';
import { formatMovement } from '../format-case.js';
import { naiveMovements } from '../naive-model.js';
import { disagreements } from './cases.js';

describe.each(disagreements)('disagreement $id', (d) => {
  it('the reference model gives the movements the rules call for', () => {
    expect(naiveMovements(d.dataset, d.config).movements.map(formatMovement)).toEqual(d.expected);
  });

  it('the engine gives the movements the rules call for', () => {
    expect(computeMovements(d.dataset, d.config).movements.map(formatMovement)).toEqual(d.expected);
  });
});

/**
 * The tables of the table-driven eˣ for x ≤ 0 (losses/math.ts's `expNonPositive`), shared with
 * the WebAssembly kernels that compute the same exp from the same tables (ctc.wat), so that both
 * give the same bits.
 */

/** Table points per octave: eˣ = 2^(k>>6)·2^((k&63)/64)·e^r. */
export const EXP_STEPS = 64;
/** 2^(j/64), j in [0, 64). */
export const EXP_FRACTION = new Float64Array(EXP_STEPS);
/** 2^(−i), i in [0, 1100): 2^(k >> 6) for every k the clamp allows (subnormals included). */
export const EXP_POWER = new Float64Array(1100);
for (let j = 0; j < EXP_STEPS; j++) EXP_FRACTION[j] = 2 ** (j / EXP_STEPS);
for (let i = 0; i < EXP_POWER.length; i++) EXP_POWER[i] = 2 ** -i;

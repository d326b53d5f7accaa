/**
 * The error every loss throws for bad input, at the boundary and never from inside a kernel.
 *
 * The message always reads `<loss>: <argument>: <problem>`, e.g.
 * `huber: target: shape [3, 1] does not match input shape [3]`.
 */
export class LossInputError extends Error {
  /** The loss (or function) that rejected the input, e.g. `'huber'`. */
  readonly loss: string;
  /** The argument or option that is wrong, e.g. `'target'` or `'options.delta'`. */
  readonly argument: string;
  /** What is wrong with it, in words. */
  readonly problem: string;

  constructor(loss: string, argument: string, problem: string) {
    super(`${loss}: ${argument}: ${problem}`);
    this.name = 'LossInputError';
    this.loss = loss;
    this.argument = argument;
    this.problem = problem;
  }
}

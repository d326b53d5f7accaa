// The classic cart-pole balancing task (Barto, Sutton & Anderson 1983) with the constants and the
// Euler integration of Gym's CartPole-v1, so that returns compare with published curves.
import type { RandomSource } from '../data/random.js';

/** The physical constants and limits of CartPole-v1. */
export const CARTPOLE = {
  gravity: 9.8,
  cartMass: 1.0,
  poleMass: 0.1,
  /** Half the pole's length (m). */
  halfLength: 0.5,
  /** Magnitude of the push (N): action 1 pushes right, action 0 left. */
  force: 10,
  /** Seconds per step (explicit Euler). */
  tau: 0.02,
  /** The episode ends when the pole leans more than this (12°, in radians)… */
  thetaLimit: (12 * 2 * Math.PI) / 360,
  /** …or the cart leaves [−2.4, 2.4]… */
  xLimit: 2.4,
  /** …or after this many steps (a truncation: the pole is still up). */
  maxSteps: 500,
  /** Each component of the initial state is uniform in [−0.05, 0.05]. */
  initRange: 0.05,
} as const;

/** State [x, ẋ, θ, θ̇]: cart position (m), velocity, pole angle from upright (rad), angular velocity. */
export type CartPoleState = readonly [number, number, number, number];

/**
 * One Euler step of the cart-pole equations of motion (Florian 2007's correction of Barto et al.,
 * as Gym writes it), with the push `action` (0 left, 1 right). Pure: returns the next state.
 *
 *   temp = (F + m_p·l·θ̇²·sin θ) / (m_c + m_p)
 *   θ̈   = (g·sin θ − cos θ·temp) / (l·(4/3 − m_p·cos²θ / (m_c + m_p)))
 *   ẍ   = temp − m_p·l·θ̈·cos θ / (m_c + m_p)
 *   x ← x + τ·ẋ,  ẋ ← ẋ + τ·ẍ,  θ ← θ + τ·θ̇,  θ̇ ← θ̇ + τ·θ̈
 */
export function cartPoleStep(state: CartPoleState, action: number): CartPoleState {
  const [x, xDot, theta, thetaDot] = state;
  const { gravity, cartMass, poleMass, halfLength, force, tau } = CARTPOLE;
  const totalMass = cartMass + poleMass;
  const poleMassLength = poleMass * halfLength;
  const push = action === 1 ? force : -force;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const temp = (push + poleMassLength * thetaDot * thetaDot * sin) / totalMass;
  const thetaAcc = (gravity * sin - cos * temp) / (halfLength * (4 / 3 - (poleMass * cos * cos) / totalMass));
  const xAcc = temp - (poleMassLength * thetaAcc * cos) / totalMass;
  return [x + tau * xDot, xDot + tau * xAcc, theta + tau * thetaDot, thetaDot + tau * thetaAcc];
}

/** Whether a state ends the episode (the pole fell or the cart left the track). */
export function cartPoleFailed(state: CartPoleState): boolean {
  return Math.abs(state[0]) > CARTPOLE.xLimit || Math.abs(state[2]) > CARTPOLE.thetaLimit;
}

/** A seeded initial state: every component uniform in [−0.05, 0.05]. */
export function cartPoleReset(rng: RandomSource): CartPoleState {
  const r = CARTPOLE.initRange;
  return [
    -r + 2 * r * rng.uniform(),
    -r + 2 * r * rng.uniform(),
    -r + 2 * r * rng.uniform(),
    -r + 2 * r * rng.uniform(),
  ];
}

/** What one step of a batch of environments produced, one entry per environment. */
export interface BatchStep {
  /** Reward of the step: 1 for every step, including the one that ends the episode (as Gym). */
  readonly rewards: Float64Array;
  /** 1 where the episode ended at this step: the pole fell, the cart left, or the step limit. */
  readonly dones: Float64Array;
  /** 1 where the episode ended only because of the step limit (the pole was still up). */
  readonly truncated: Float64Array;
}

/**
 * `count` independent cart-poles stepped together, each reset (from the shared seeded generator)
 * as soon as its episode ends, so a rollout is a fixed number of batched steps. Observations are
 * `count × 4`, row-major; finished episodes' returns are collected in `finishedReturns`.
 */
export class CartPoleBatch {
  readonly count: number;
  /** Current observations, `count × 4`: the state each environment is in now. */
  readonly observations: Float64Array;
  /** The undiscounted return of every episode finished so far, in the order they ended. */
  readonly finishedReturns: number[] = [];
  /** Total environment steps taken (all environments). */
  steps = 0;
  private readonly episodeSteps: Int32Array;
  private readonly rng: RandomSource;

  constructor(count: number, rng: RandomSource) {
    this.count = count;
    this.rng = rng;
    this.observations = new Float64Array(count * 4);
    this.episodeSteps = new Int32Array(count);
    for (let e = 0; e < count; e++) this.observations.set(cartPoleReset(rng), e * 4);
  }

  /** Applies one action per environment; environments whose episode ended start a new one. */
  step(actions: ArrayLike<number>): BatchStep {
    const rewards = new Float64Array(this.count).fill(1);
    const dones = new Float64Array(this.count);
    const truncated = new Float64Array(this.count);
    for (let e = 0; e < this.count; e++) {
      const o = e * 4;
      const obs = this.observations;
      const next = cartPoleStep([obs[o], obs[o + 1], obs[o + 2], obs[o + 3]], actions[e]);
      this.episodeSteps[e]++;
      this.steps++;
      const failed = cartPoleFailed(next);
      if (failed || this.episodeSteps[e] >= CARTPOLE.maxSteps) {
        dones[e] = 1;
        truncated[e] = failed ? 0 : 1;
        this.finishedReturns.push(this.episodeSteps[e]);
        this.episodeSteps[e] = 0;
        obs.set(cartPoleReset(this.rng), o);
      } else {
        obs.set(next, o);
      }
    }
    return { rewards, dones, truncated };
  }
}

// The two cart-pole learners of the RL experiment: REINFORCE with a value baseline and PPO. Both
// use the same softmax policy and value networks, the same optimizer and the same budget of
// environment steps; they differ in how they turn experience into updates.
import { noGrad, ops } from 'losskit';
import { discountedReturns, gae, policyGradient, ppoClip, ppoStats, valueLoss } from 'losskit';
import { type Module, mlp, Rng } from 'losskit';
import { Adam } from 'losskit';
import { Tensor } from 'losskit';
import {
  CARTPOLE,
  CartPoleBatch,
  type CartPoleState,
  cartPoleFailed,
  cartPoleReset,
  cartPoleStep,
} from './cartpole.js';

/** A softmax policy over the two pushes and a state-value network, both small tanh MLPs. */
export interface ActorCritic {
  readonly policy: Module;
  readonly value: Module;
}

export function actorCritic(rng: Rng, hidden: number): ActorCritic {
  const options = { activation: 'tanh', dtype: 'float64', rng } as const;
  return { policy: mlp([4, hidden, 2], options), value: mlp([4, hidden, 1], options) };
}

/** log π(·|s) for a batch of observations (`rows × 4`): `[rows, 2]`, tracked. */
function logPolicy(policy: Module, observations: Float64Array, rows: number): Tensor {
  return ops.logSoftmax(policy.forward(new Tensor(observations, [rows, 4])), -1);
}

/** Samples one action per row from π (or takes the likelier one when `greedy`); returns actions and their log-probs. */
function act(
  policy: Module,
  observations: Float64Array,
  rows: number,
  rng: Rng | null,
): { actions: Int32Array; logProbs: Float64Array } {
  const logp = noGrad(() => logPolicy(policy, observations, rows)).data;
  const actions = new Int32Array(rows);
  const logProbs = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const p1 = Math.exp(logp[2 * r + 1]);
    const a = rng === null ? (p1 > 0.5 ? 1 : 0) : rng.uniform() < p1 ? 1 : 0;
    actions[r] = a;
    logProbs[r] = logp[2 * r + a];
  }
  return { actions, logProbs };
}

/** V(s) for a batch of observations: `[rows]`, tracked. */
function values(value: Module, observations: Float64Array, rows: number): Tensor {
  return ops.reshape(value.forward(new Tensor(observations, [rows, 4])), [rows]);
}

/** log π(aᵢ|sᵢ) of the taken actions: `[rows]`, tracked. */
function chosenLogProbs(policy: Module, observations: Float64Array, actions: Int32Array): Tensor {
  const rows = actions.length;
  const logp = logPolicy(policy, observations, rows);
  return ops.reshape(ops.takeAlongAxis(logp, new Tensor(Float64Array.from(actions), [rows, 1]), 1), [rows]);
}

/** Settings shared by both learners. */
export interface TrainSettings {
  /** Environment steps to train for (all environments together). */
  readonly steps: number;
  readonly gamma: number;
  readonly lr: number;
  readonly hidden: number;
  /** Weight of the value loss in the summed objective. */
  readonly valueWeight: number;
  /** Called after each update with the share of `steps` used so far. */
  readonly onProgress: (fraction: number) => void;
}

/** What a learner leaves behind: the trained networks and every training episode. */
export interface TrainResult {
  readonly agent: ActorCritic;
  /** Return of each finished training episode and the environment step at which it ended. */
  readonly episodes: readonly { readonly step: number; readonly return: number }[];
  readonly updates: number;
  /** Notes worth showing (PPO's clip fraction and KL). */
  readonly notes: readonly string[];
}

/** One gradient step on policy loss + valueWeight · value loss over both networks. */
function update(optimizer: Adam, policyLoss: Tensor, critic: Tensor, valueWeight: number): void {
  optimizer.zeroGrad();
  ops.add(policyLoss, ops.mul(critic, valueWeight)).backward();
  optimizer.step();
}

function optimizerFor(agent: ActorCritic, lr: number): Adam {
  return new Adam([...agent.policy.parameters(), ...agent.value.parameters()], { lr });
}

/**
 * REINFORCE with a learned baseline (Williams 1992; Sutton & Barto 2018, §13.4): each update
 * plays `episodesPerUpdate` complete episodes, computes Monte-Carlo returns G_t with
 * `discountedReturns`, and takes one step on policyGradient(log π, G − V) (advantages
 * normalised) plus valueLoss(V, G).
 */
export function trainReinforce(
  rng: Rng,
  settings: TrainSettings & { readonly episodesPerUpdate: number },
): TrainResult {
  const agent = actorCritic(rng.fork(), settings.hidden);
  const optimizer = optimizerFor(agent, settings.lr);
  const envRng = rng.fork();
  const actRng = rng.fork();
  const episodes: { step: number; return: number }[] = [];
  let steps = 0;
  let updates = 0;
  while (steps < settings.steps) {
    const batch = playEpisodes(agent.policy, settings.episodesPerUpdate, envRng, actRng);
    for (const length of batch.lengths) {
      steps += length;
      episodes.push({ step: steps, return: length });
    }
    const returns = discountedReturns(batch.rewards, batch.dones, { gamma: settings.gamma });
    const baseline = values(agent.value, batch.observations, batch.size);
    const advantages = ops.sub(returns, ops.detach(baseline));
    const logProbs = chosenLogProbs(agent.policy, batch.observations, batch.actions);
    update(
      optimizer,
      policyGradient(logProbs, advantages, { normalizeAdvantages: true }),
      valueLoss(baseline, returns),
      settings.valueWeight,
    );
    updates++;
    settings.onProgress(Math.min(1, steps / settings.steps));
  }
  return { agent, episodes, updates, notes: [] };
}

/** Complete episodes played in lock-step, flattened episode after episode. */
interface EpisodeBatch {
  readonly size: number;
  readonly observations: Float64Array;
  readonly actions: Int32Array;
  readonly rewards: Float64Array;
  /** 1 at the last step of each episode. */
  readonly dones: Float64Array;
  readonly lengths: readonly number[];
}

/** `count` episodes in lock-step; actions sampled from π with `actRng`, or greedy when it is null. */
function playEpisodes(policy: Module, count: number, envRng: Rng, actRng: Rng | null): EpisodeBatch {
  const states: CartPoleState[] = Array.from({ length: count }, () => cartPoleReset(envRng));
  const trajectories = states.map(() => ({ observations: [] as number[], actions: [] as number[] }));
  const active = states.map((_, i) => i);
  while (active.length > 0) {
    const obs = new Float64Array(active.length * 4);
    for (const [r, e] of active.entries()) obs.set(states[e], r * 4);
    const { actions } = act(policy, obs, active.length, actRng);
    const still: number[] = [];
    active.forEach((e, r) => {
      trajectories[e].observations.push(...states[e]);
      trajectories[e].actions.push(actions[r]);
      states[e] = cartPoleStep(states[e], actions[r]);
      if (!cartPoleFailed(states[e]) && trajectories[e].actions.length < CARTPOLE.maxSteps) still.push(e);
    });
    active.splice(0, active.length, ...still);
  }
  const lengths = trajectories.map((t) => t.actions.length);
  const size = lengths.reduce((s, n) => s + n, 0);
  const dones = new Float64Array(size);
  let end = 0;
  for (const n of lengths) dones[(end += n) - 1] = 1;
  return {
    size,
    observations: Float64Array.from(trajectories.flatMap((t) => t.observations)),
    actions: Int32Array.from(trajectories.flatMap((t) => t.actions)),
    rewards: new Float64Array(size).fill(1),
    dones,
    lengths,
  };
}

/**
 * PPO with the clipped objective (Schulman et al. 2017): `envs` cart-poles run `horizon` steps
 * per rollout; advantages and value targets come from `gae`; then `epochs` passes of shuffled
 * minibatches optimise ppoClip(log π, log π_old, Â) (advantages normalised per rollout) plus
 * valueLoss(V, returns). `ppoStats` tracks the clip fraction and approximate KL.
 */
export function trainPpo(
  rng: Rng,
  settings: TrainSettings & {
    readonly envs: number;
    readonly horizon: number;
    readonly epochs: number;
    readonly minibatch: number;
    readonly lambda: number;
    readonly clipEpsilon: number;
  },
): TrainResult {
  const agent = actorCritic(rng.fork(), settings.hidden);
  const optimizer = optimizerFor(agent, settings.lr);
  const env = new CartPoleBatch(settings.envs, rng.fork());
  const actRng = rng.fork();
  const shuffleRng = rng.fork();
  const { envs, horizon } = settings;
  const size = envs * horizon;
  const episodes: { step: number; return: number }[] = [];
  let updates = 0;
  let clipFractionSum = 0;
  let klSum = 0;
  let statCount = 0;
  while (env.steps < settings.steps) {
    // Rollout, time first: row t·envs + e is environment e at step t.
    const observations = new Float64Array(size * 4);
    const actions = new Int32Array(size);
    const oldLogProbs = new Float64Array(size);
    const rewards = new Float64Array(size);
    const dones = new Float64Array(size);
    for (let t = 0; t < horizon; t++) {
      observations.set(env.observations, t * envs * 4);
      const choice = act(agent.policy, env.observations, envs, actRng);
      const before = env.finishedReturns.length;
      const result = env.step(choice.actions);
      actions.set(choice.actions, t * envs);
      oldLogProbs.set(choice.logProbs, t * envs);
      rewards.set(result.rewards, t * envs);
      dones.set(result.dones, t * envs);
      for (let k = before; k < env.finishedReturns.length; k++)
        episodes.push({ step: env.steps, return: env.finishedReturns[k] });
    }
    const oldValues = noGrad(() => values(agent.value, observations, size));
    const lastValue = noGrad(() => values(agent.value, env.observations, envs));
    const estimate = gae(
      new Tensor(rewards, [horizon, envs]),
      ops.reshape(oldValues, [horizon, envs]),
      new Tensor(dones, [horizon, envs]),
      {
        gamma: settings.gamma,
        lambda: settings.lambda,
        lastValue: lastValue,
      },
    );
    const advantages = normalised(estimate.advantages.data);
    const returns = estimate.returns.data;
    for (let epoch = 0; epoch < settings.epochs; epoch++) {
      const order = shuffleRng.permutation(size);
      for (let start = 0; start + settings.minibatch <= size; start += settings.minibatch) {
        const rows = order.subarray(start, start + settings.minibatch);
        const mbObservations = pickRows(observations, rows, 4);
        const logProbs = chosenLogProbs(agent.policy, mbObservations, pick(actions, rows, Int32Array));
        const mbOld = pick(oldLogProbs, rows, Float64Array);
        const policyLoss = ppoClip(logProbs, mbOld, pick(advantages, rows, Float64Array), {
          clipEpsilon: settings.clipEpsilon,
        });
        const critic = valueLoss(
          values(agent.value, mbObservations, rows.length),
          pick(returns, rows, Float64Array),
        );
        update(optimizer, policyLoss, critic, settings.valueWeight);
        updates++;
        if (epoch === settings.epochs - 1) {
          const stats = ppoStats(
            noGrad(() => chosenLogProbs(agent.policy, mbObservations, pick(actions, rows, Int32Array))),
            mbOld,
            {
              clipEpsilon: settings.clipEpsilon,
            },
          );
          clipFractionSum += stats.clipFraction;
          klSum += stats.approxKl;
          statCount++;
        }
      }
    }
    settings.onProgress(Math.min(1, env.steps / settings.steps));
  }
  const notes = [
    `PPO diagnostics (ppoStats after the last epoch of each rollout, averaged): clip fraction ${(clipFractionSum / statCount).toFixed(3)}, approximate KL ${(klSum / statCount).toExponential(2)}.`,
  ];
  return { agent, episodes, updates, notes };
}

/** (A − mean) / (std + 1e-8) with the unbiased std, as `normalizeAdvantages` does. */
function normalised(a: ArrayLike<number>): Float64Array {
  const n = a.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += a[i] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (a[i] - mean) ** 2 / Math.max(1, n - 1);
  const scale = 1 / (Math.sqrt(variance) + 1e-8);
  return Float64Array.from(a, (v) => (v - mean) * scale);
}

function pick<A extends Float64Array | Int32Array>(
  source: ArrayLike<number>,
  rows: Int32Array,
  Kind: { new (n: number): A },
): A {
  const out = new Kind(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = source[rows[i]];
  return out;
}

function pickRows(source: Float64Array, rows: Int32Array, width: number): Float64Array {
  const out = new Float64Array(rows.length * width);
  for (let i = 0; i < rows.length; i++)
    out.set(source.subarray(rows[i] * width, rows[i] * width + width), i * width);
  return out;
}

/**
 * Mean return of `episodes` evaluation episodes of the greedy policy (the likelier push) from
 * seeded initial states, capped at 500 steps.
 */
export function evaluateGreedy(policy: Module, episodes: number, seed: number): number {
  const batch = playEpisodes(policy, episodes, new Rng(seed), null);
  return batch.lengths.reduce((s, n) => s + n, 0) / episodes;
}

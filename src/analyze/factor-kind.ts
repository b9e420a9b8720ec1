// What kind of thing a study's factor is. Users and connections are load: adding them
// adds work, and a system at capacity only queues it. Replicas and workers are capacity:
// adding them should add throughput until something else limits it. Anything else (a
// cache rate, a flag, a version) is a setting: its values are compared, never scaled.
import type { FactorKind } from './types.js';

const LOAD = /^(users?|vus?|virtual[_-]?users|connections?|conns?|concurrency|clients?|c|rate|rps|qps|arrival[_-]?rate|request[_-]?rate|load|spawn[_-]?rate)$/i;
const CAPACITY = /^(replicas?|workers?|threads?|pods?|instances?|services?|model[_-]?services?|cpus?|cores?|vcpus?|nodes?|processes|procs?|shards?|gpus?|servers?|containers?|partitions?)$/i;

/** The kind a factor name says, or `setting` when it says neither load nor capacity. */
export function factorKindOf(factor: string): FactorKind {
  if (LOAD.test(factor)) return 'load';
  if (CAPACITY.test(factor)) return 'capacity';
  return 'setting';
}

/** A scaling study's title by the kind of its factor ("Load sweep: users", "Scaling with replicas × users"). */
export function scalingTitle(factor: string, kind: FactorKind, by?: string | null): string {
  const base = kind === 'load' ? `Load sweep: ${factor}` : kind === 'capacity' ? `Scaling with ${factor}` : `Effect of ${factor}`;
  return by ? `${base} × ${by}` : base;
}

/**
 * What every fold kind sees of a batch, decided in one place: the events
 * in the one event order (src/fold/order.ts), each at most once, and only
 * those from journals the fold's `inputs` name. loadCompiledFold wraps each
 * kind's runtime in this, so a YAML fold and an EchoLua fold given the same
 * batch fold the same events in the same order; the kinds' own `step`
 * receives a strictly ordered, filtered batch and checks neither.
 */
import { err, gateError, type Result } from '../core/result';
import type { FoldEvent, FoldRuntime } from './contract';
import { anyRefMatcher } from './glob';
import { describeEvent, orderBatch } from './order';

/** The runtime with a `step` that orders the batch, refuses repeats and skips foreign journals. */
export function withBatchDiscipline<S>(inner: FoldRuntime<S>): FoldRuntime<S> {
  const wanted = anyRefMatcher(inner.inputs);
  const step = (state: S, events: readonly FoldEvent[]): Result<S> => {
    const { ordered, repeat } = orderBatch(events);
    if (repeat) {
      return err(gateError('FOLD_ERROR', `${describeEvent(repeat)} appears twice in one batch`, { hint: 'feed each event once; resume from the checkpoint that covers it' }));
    }
    return inner.step(state, inputsOnly(ordered, wanted));
  };
  return {
    kind: inner.kind,
    foldRoot: inner.foldRoot,
    engine: inner.engine,
    inputs: inner.inputs,
    usesRng: inner.usesRng,
    init: () => inner.init(),
    step,
    emit: (state) => inner.emit(state),
    checkEmit: (state) => inner.checkEmit(state),
    saveState: (state) => inner.saveState(state),
    loadState: (bytes) => inner.loadState(bytes),
  };
}

/** The events whose journal the fold reads; the batch itself when that is all of them (the common case). */
function inputsOnly(events: readonly FoldEvent[], wanted: (ref: string) => boolean): readonly FoldEvent[] {
  let i = 0;
  while (i < events.length && wanted((events[i] as FoldEvent).journal)) i++;
  if (i === events.length) return events;
  const out = events.slice(0, i);
  for (i++; i < events.length; i++) {
    const e = events[i] as FoldEvent;
    if (wanted(e.journal)) out.push(e);
  }
  return out;
}

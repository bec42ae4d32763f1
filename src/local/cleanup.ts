/** Something to undo when the stack stops. @internal */
export type CleanupStep = () => Promise<void> | void;

/**
 * Undo steps, run newest first: each server registers its own close as soon as it has
 * started, so a start that fails halfway can undo exactly what it did.
 *
 * @internal
 */
export interface Cleanup {
  add(step: CleanupStep): void;
  /** Runs every step once, even after a failure; the first run's result is shared. */
  run(): Promise<void>;
}

/** @internal */
export function createCleanup(): Cleanup {
  const steps: CleanupStep[] = [];
  let running: Promise<void> | undefined;
  return {
    add(step) {
      steps.push(step);
    },
    run() {
      running ??= runAll(steps.splice(0).reverse());
      return running;
    },
  };
}

async function runAll(steps: CleanupStep[]): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'Several steps of the local stack failed to stop');
}

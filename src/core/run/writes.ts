// The stage reports are written while the next stage starts: one write in flight at a time.

/** One report write in flight at a time; its failure surfaces at the next flush(). */
export function pendingWrites(): { start: (p: Promise<void>) => void; flush: () => Promise<void> } {
  let pending: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | null = null;
  return {
    start: (p) => {
      pending = p.catch((error: unknown) => {
        failure = { error };
      });
    },
    flush: async () => {
      await pending;
      if (failure) {
        const { error } = failure;
        failure = null;
        throw error;
      }
    },
  };
}

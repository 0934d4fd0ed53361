/**
 * What a run started, to stop in reverse order whatever happens: every step runs even when an
 * earlier one failed, and each failure is reported, not thrown.
 */
export class Teardown {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];

  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  async run(report: (line: string) => void): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop() as { name: string; run: () => Promise<unknown> };
      try {
        await step.run();
      } catch (error) {
        report(`could not ${step.name}: ${(error as Error).message}`);
      }
    }
  }
}

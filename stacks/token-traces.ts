/**
 * cdktf captures a complete stack trace (no depth limit) for every token, lazy value and complex
 * attribute it creates, only to name the creation site if that token later fails to resolve. A kit
 * stack creates thousands of them; capturing and formatting those traces was about three quarters
 * of the time spent building constructs. `Error.stackTraceLimit` cannot turn this off: cdktf raises
 * the limit itself around each capture.
 */

/**
 * Turns the capture off for this process. The traces never reach the synthesized output, and the
 * kit shows users no stack traces, so the synth entry point calls this; tests keep cdktf's default.
 */
export function skipTokenCreationTraces(): void {
  // cdktf calls it through the module object at every use, so replacing the export takes effect
  // everywhere (a private module; cdktf is pinned, and test/main.test.ts compares the output).
  const stackTrace = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: (below?: unknown) => string[] };
  stackTrace.captureStackTrace = () => [];
}

// Vitest setup: let each test worker's event loop turn between tests. Long synchronous
// tests (the analyzer's bootstrap properties) chain through microtasks only, so the
// worker never reads vitest's replies on its IPC channel, and after 60 s vitest reports
// "Timeout calling onTaskUpdate" and fails the run although every test passed.
import { afterEach } from 'vitest';

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

/**
 * Runs before every test file. Many tests run the CLI synchronously (spawnSync) for seconds at a time; between tests
 * the worker yields to the event loop once, so that vitest's own messages to the worker are answered (a worker that
 * never yields for a minute loses its link to vitest: "Timeout calling onTaskUpdate").
 */
import { afterEach } from "vitest";

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

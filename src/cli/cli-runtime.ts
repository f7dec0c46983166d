import { type Config, ConfigError, parseConfig } from '../config/config.js';
import { createLogger, type Logger } from '../http/logger.js';
import { openRuntime, type Runtime } from '../node/runtime.js';

/** Shared start for CLIs: parse config (exit 2 on bad env), open the runtime, always close it. */
export async function runCli(
  name: string,
  body: (runtime: Runtime, ctx: { config: Config; logger: Logger }) => Promise<void>,
): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const runtime = await openRuntime(config, logger, { role: 'cli' });
  let code = 0;
  try {
    await body(runtime, { config, logger });
  } catch (error) {
    console.error(`${name} failed:`, error instanceof Error ? error.message : error);
    code = 1;
  } finally {
    await runtime.close();
  }
  process.exit(code);
}

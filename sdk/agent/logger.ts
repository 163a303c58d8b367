/** Structured JSON logs: one object per line, `{ ts, level, msg, ...fields }`. */
export type AgentLogLevel = "debug" | "info" | "warn" | "error";
export type AgentLogFields = Record<string, string | number | boolean | null | undefined | readonly string[]>;

export type AgentLogger = {
  log(level: AgentLogLevel, msg: string, fields?: AgentLogFields): void;
};

const ORDER: Record<AgentLogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type CreateJsonLoggerParameters = {
  /** Where lines go (default: process.stderr). */
  write?: ((line: string) => void) | undefined;
  /** Lowest level written (default "info"). */
  level?: AgentLogLevel | undefined;
  /** Milliseconds clock (default Date.now). */
  clock?: (() => number) | undefined;
  /** Fields added to every line. */
  base?: AgentLogFields | undefined;
};

export function createJsonLogger(parameters: CreateJsonLoggerParameters = {}): AgentLogger {
  const write = parameters.write ?? ((line: string) => process.stderr.write(line + "\n"));
  const min = ORDER[parameters.level ?? "info"];
  const clock = parameters.clock ?? Date.now;
  return {
    log(level, msg, fields) {
      if (ORDER[level] < min) return;
      write(JSON.stringify({ ts: new Date(clock()).toISOString(), level, msg, ...parameters.base, ...fields }));
    },
  };
}

/** A logger that drops everything. */
export const silentLogger: AgentLogger = { log() {} };

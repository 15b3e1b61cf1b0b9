/**
 * Where a device link's transport writes its log lines: the level, the message, and structured
 * fields (the link or connection, the peer's address …). src/app writes them to its pino logger.
 */
export type LinkLog = (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;

/** Names and strings written into DuckDB SQL text. */

/** An identifier, double-quoted. */
export const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A string literal, single-quoted. */
export const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

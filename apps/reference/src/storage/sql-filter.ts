/**
 * Builds a parameterised `where` clause from optional filters, numbering the `$n` parameter markers,
 * so query code states only which filters apply. Values never enter the SQL text.
 * @example
 * const f = new SqlFilter().add('service = ?', 'checkout').add('start_ms >= ?', since);
 * db.query(`select ... ${f.where()} limit ${f.param(50)}`, f.params);
 */
export class SqlFilter {
  readonly params: unknown[] = [];
  readonly #clauses: string[] = [];

  /** Adds a condition whose `?` marks stand for `value`. */
  add(clause: string, value: unknown): this {
    const marker = this.param(value);
    this.#clauses.push(clause.replaceAll('?', marker));
    return this;
  }

  /** Adds a condition when `value` is defined. */
  addIf(clause: string, value: unknown): this {
    return value === undefined ? this : this.add(clause, value);
  }

  /** Registers a parameter used outside the where clause (a limit) and returns its `$n` marker. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** `where a and b`, or the empty string when no filter applies. */
  where(): string {
    return this.#clauses.length === 0 ? '' : `where ${this.#clauses.join(' and ')}`;
  }
}

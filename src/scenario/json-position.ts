/**
 * Where a JSON text stops being valid. V8's `JSON.parse` reports a position for most errors but not
 * for "Unexpected token" ones; this scanner finds the offset of the first error in every case, so
 * a malformed scenario file always gets a line and column.
 */

/** Line and column (both from 1) of an offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastNewline = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastNewline };
}

// Deeper nesting than this is no scenario; stop there rather than exhaust the stack.
const MAX_DEPTH = 512;

// Sticky (y): they match exactly at lastIndex, without copying the rest of the text.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const SPACE = /[ \t\n\r]*/y;

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  skipSpace(): void {
    this.token(SPACE);
  }

  /** Scans one value; false at the first character that cannot continue it (at `pos`). */
  value(depth: number): boolean {
    this.skipSpace();
    const c = this.text[this.pos];
    if (depth > MAX_DEPTH) return false;
    if (c === '{') return this.sequence('}', depth, () => this.member(depth));
    if (c === '[') return this.sequence(']', depth, () => this.value(depth + 1));
    if (c === '"') return this.string();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return true;
      }
    }
    return this.number();
  }

  private member(depth: number): boolean {
    this.skipSpace();
    if (this.text[this.pos] !== '"' || !this.string()) return false;
    this.skipSpace();
    if (this.text[this.pos] !== ':') return false;
    this.pos++;
    return this.value(depth + 1);
  }

  private sequence(close: string, depth: number, item: () => boolean): boolean {
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === close) return this.advance();
    for (;;) {
      if (!item()) return false;
      this.skipSpace();
      if (this.text[this.pos] === close) return this.advance();
      if (this.text[this.pos] !== ',' || depth > MAX_DEPTH) return false;
      this.pos++;
    }
  }

  private advance(): true {
    this.pos++;
    return true;
  }

  private string(): boolean {
    return this.token(STRING);
  }

  private number(): boolean {
    return this.token(NUMBER);
  }

  /** Consumes a match of a sticky pattern at `pos`. */
  private token(pattern: RegExp): boolean {
    pattern.lastIndex = this.pos;
    if (!pattern.test(this.text)) return false;
    this.pos = pattern.lastIndex;
    return true;
  }
}

/** Offset of the first syntax error of a JSON text, or -1 when it is valid. */
export function jsonErrorOffset(text: string): number {
  const scanner = new Scanner(text);
  if (!scanner.value(0)) return scanner.pos;
  scanner.skipSpace();
  return scanner.pos === text.length ? -1 : scanner.pos;
}

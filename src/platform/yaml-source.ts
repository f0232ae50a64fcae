import { parseDocument, isMap, isSeq, LineCounter, type Node as YamlNode } from 'yaml';

/** A parsed YAML document that can say on which line a path starts, for errors a person can act on. */
export class YamlSource {
  readonly lines = new LineCounter();
  readonly doc: ReturnType<typeof parseDocument>;
  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines });
  }
  get errors(): string[] {
    return this.doc.errors.map((e) => `${this.file}:${this.lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`);
  }
  toJS(): unknown {
    return this.doc.toJS();
  }
  lineOf(path: readonly (string | number)[]): number | undefined {
    let node: YamlNode | null | undefined = this.doc.contents as YamlNode;
    let last: YamlNode | null | undefined = node;
    for (const key of path) {
      if (!(isMap(node) || isSeq(node))) break;
      node = (node as unknown as { get(k: unknown, keep: true): YamlNode | undefined }).get(key, true);
      if (node) last = node;
    }
    const start = last?.range?.[0];
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }
  where(path: readonly (string | number)[]): string {
    const line = this.lineOf(path);
    return `${this.file}${line ? `:${line}` : ''}`;
  }
}

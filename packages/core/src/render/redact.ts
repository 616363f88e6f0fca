import { createHmac, randomBytes } from 'node:crypto';
import { isMap, isScalar, parseDocument, Scalar } from 'yaml';

/**
 * Hides the values of Secrets in diffs (pull request comments, job summaries, the diff file): each value
 * under `data` and `stringData` becomes `<redacted 1a2b3c4d>`, a keyed hash whose key lives only for this
 * run. Within one run the same value gives the same tag, so a reviewer sees which keys changed; across
 * runs the tags mean nothing, so they cannot be matched against guesses.
 */
export class SecretRedactor {
  private readonly key = randomBytes(32);

  /** The text to show for a file's content: unchanged unless it is a Secret. */
  shown(content: string | undefined): string | undefined {
    if (content === undefined || !/^kind:\s*Secret\s*$/m.test(content)) return content;
    const doc = parseDocument(content, { version: '1.1', uniqueKeys: false });
    // A Secret that cannot be read is not shown at all: better no diff than a leaked value.
    if (doc.errors.length || !isMap(doc.contents)) return '# (a Secret that is not valid YAML: not shown)\n';
    if (doc.get('kind') !== 'Secret') return content;
    let redacted = false;
    for (const field of ['data', 'stringData']) {
      const map = doc.get(field, true);
      if (!isMap(map)) continue;
      for (const pair of map.items) {
        const value = isScalar(pair.value) ? String(pair.value.value ?? '') : JSON.stringify(pair.value);
        pair.value = new Scalar(`<redacted ${this.tag(value)}>`);
        redacted = true;
      }
    }
    return redacted ? doc.toString({ lineWidth: 0 }) : content;
  }

  private tag(value: string): string {
    return createHmac('sha256', this.key).update(value).digest('hex').slice(0, 8);
  }
}

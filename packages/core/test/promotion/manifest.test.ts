import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  imageDigestProblem,
  imageTagProblem,
  ManifestError,
  plainIsString,
  scalarText,
  setImageTag,
  tagOf,
  withTag,
} from '../../src/index';

const podinfo = (tag: string) => ({ group: 'apps', app: 'podinfo', tag });

/** Every line but those listed is byte-for-byte the same. */
function expectOnlyLinesChanged(before: string, after: string, lines: number[]): void {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b).toHaveLength(a.length);
  const changed = a.map((l, i) => (l === b[i] ? 0 : i + 1)).filter(Boolean);
  expect(changed).toEqual(lines);
}

describe('setImageTag: Flux setter comments', () => {
  const deployment = `# podinfo, as Flux applies it
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo    # keep this comment
  labels: { app: podinfo, tier: "web" }
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: "ghcr.io/org/podinfo:1.0.0"   # {"$imagepolicy": "apps:podinfo"}
      containers:

        - name: podinfo
          image: ghcr.io/org/podinfo:1.0.0 # {"$imagepolicy": "apps:podinfo"}
          env:
            - name: VERSION
              value: '1.0.0' # {"$imagepolicy": "apps:podinfo:tag"}
            - name: IMAGE_NAME
              value: ghcr.io/org/podinfo # {"$imagepolicy": "apps:podinfo:name"}
`;

  it('updates every image of the app together and leaves every other byte alone', () => {
    const r = setImageTag(deployment, 'apps/dev/podinfo.yaml', podinfo('a8b91c33'));
    expect(r.found).toBe(4);
    expect(r.changes.map((c) => [c.line, c.via, c.before, c.after])).toEqual([
      [12, 'image', 'ghcr.io/org/podinfo:1.0.0', 'ghcr.io/org/podinfo:a8b91c33'],
      [16, 'image', 'ghcr.io/org/podinfo:1.0.0', 'ghcr.io/org/podinfo:a8b91c33'],
      [19, 'tag', '1.0.0', 'a8b91c33'],
    ]);
    expect(r.text).toBe(
      deployment
        .replace('"ghcr.io/org/podinfo:1.0.0"', '"ghcr.io/org/podinfo:a8b91c33"')
        .replace('image: ghcr.io/org/podinfo:1.0.0 #', 'image: ghcr.io/org/podinfo:a8b91c33 #')
        .replace("value: '1.0.0'", "value: 'a8b91c33'"),
    );
    expectOnlyLinesChanged(deployment, r.text, [12, 16, 19]);
  });

  it('writes numeric-looking tags as strings: 1.10 and 0123 are quoted, and read back as strings', () => {
    const text =
      'tag: 1.0.0 # {"$imagepolicy": "apps:podinfo:tag"}\nimage: ghcr.io/org/podinfo:1 # {"$imagepolicy": "apps:podinfo"}\n';
    for (const tag of ['1.10', '0123', '1e3', '10', 'true', 'null', '1_000', '0x1F']) {
      const r = setImageTag(text, 'x.yaml', podinfo(tag));
      const value = parse(r.text) as { tag: unknown; image: unknown };
      expect(value.tag, tag).toBe(tag);
      expect(value.tag).toBeTypeOf('string');
      expect(parse(r.text, { version: '1.1' }).tag).toBe(tag);
      expect(r.text.split('\n')[0]).toBe(`tag: "${tag}" # {"$imagepolicy": "apps:podinfo:tag"}`);
      // Inside an image reference the tag is part of a string already: no quotes needed.
      expect(value.image).toBe(`ghcr.io/org/podinfo:${tag}`);
    }
  });

  it('turns a tag YAML reads as a number into a string even when its text does not change', () => {
    const text = 'newTag: 1.10 # {"$imagepolicy": "apps:podinfo:tag"}\n';
    const r = setImageTag(text, 'kustomization.yaml', podinfo('1.10'));
    expect(r.text).toBe('newTag: "1.10" # {"$imagepolicy": "apps:podinfo:tag"}\n');
    expect(setImageTag(r.text, 'kustomization.yaml', podinfo('1.10')).changes).toEqual([]);
  });

  it('keeps the registry path, including a registry with a port', () => {
    const text = [
      'a: registry:5000/team/podinfo:1.0.0 # {"$imagepolicy": "apps:podinfo"}',
      'b: registry:5000/team/podinfo # {"$imagepolicy": "apps:podinfo"}',
      'c: localhost:5000/podinfo:1 # {"$imagepolicy": "apps:podinfo"}',
      'd: podinfo # {"$imagepolicy": "apps:podinfo"}',
      '',
    ].join('\n');
    const r = setImageTag(text, 'x.yaml', podinfo('2.0.1'));
    expect(parse(r.text)).toEqual({
      a: 'registry:5000/team/podinfo:2.0.1',
      b: 'registry:5000/team/podinfo:2.0.1',
      c: 'localhost:5000/podinfo:2.0.1',
      d: 'podinfo:2.0.1',
    });
    expect(withTag('registry:5000/team/app', '1')).toBe('registry:5000/team/app:1');
    expect(tagOf('registry:5000/team/app')).toBe('');
    expect(tagOf('registry:5000/team/app:1.2@sha256:ab')).toBe('1.2');
  });

  it('two apps in one file: only the named app changes', () => {
    const text = `web: ghcr.io/org/podinfo:1.0.0 # {"$imagepolicy": "apps:podinfo"}
worker: ghcr.io/org/worker:1.0.0 # {"$imagepolicy": "apps:worker"}
other-group: ghcr.io/org/podinfo:1.0.0 # {"$imagepolicy": "tools:podinfo"}
prefix: ghcr.io/org/podinfo2:1.0.0 # {"$imagepolicy": "apps:podinfo2"}
`;
    const r = setImageTag(text, 'x.yaml', podinfo('2.0.0'));
    expect(r.found).toBe(1);
    expectOnlyLinesChanged(text, r.text, [1]);
    expect(parse(r.text).worker).toBe('ghcr.io/org/worker:1.0.0');
  });

  it('a file with no setter for the app: found 0, the text untouched', () => {
    const text =
      'image: ghcr.io/org/podinfo:1.0.0\n# {"$imagepolicy": "apps:podinfo"} on its own line marks nothing\n';
    const r = setImageTag(text, 'x.yaml', podinfo('2.0.0'));
    expect(r).toEqual({ text, found: 0, digests: 0, changes: [] });
  });

  it('keeps CRLF line endings, several documents, anchors and odd spacing', () => {
    const text = [
      '---',
      'kind: A  ',
      'base: &img ghcr.io/org/podinfo:1 # {"$imagepolicy": "apps:podinfo"}',
      'copy: *img',
      '---',
      '# second document',
      'list:',
      '  - ghcr.io/org/podinfo:1    #   {"$imagepolicy":"apps:podinfo"}  ',
      '  - other',
      '',
    ].join('\r\n');
    const r = setImageTag(text, 'x.yaml', podinfo('v2'));
    expect(r.found).toBe(2);
    expect(r.text).toBe(text.replaceAll('ghcr.io/org/podinfo:1', 'ghcr.io/org/podinfo:v2'));
    expect(parseAllDocuments(r.text).map((d) => d.toJS())).toEqual([
      { kind: 'A', base: 'ghcr.io/org/podinfo:v2', copy: 'ghcr.io/org/podinfo:v2' },
      { list: ['ghcr.io/org/podinfo:v2', 'other'] },
    ]);
  });

  it('an empty value with a tag setter gets the tag, spaced from the comment', () => {
    const r = setImageTag('tag: # {"$imagepolicy": "apps:podinfo:tag"}\n', 'x.yaml', podinfo('0123'));
    expect(r.text).toBe('tag: "0123" # {"$imagepolicy": "apps:podinfo:tag"}\n');
  });

  it('refuses what it cannot edit safely, naming file and line', () => {
    expect(() =>
      setImageTag('a: 1\nimage: # {"$imagepolicy": "apps:podinfo"}\n', 'apps/dev/x.yaml', podinfo('2')),
    ).toThrow(
      new ManifestError(
        'apps/dev/x.yaml:2: the apps:podinfo setter marks an empty value; write the image (registry/name:tag) there',
      ),
    );
    expect(() =>
      setImageTag('image: x # {"$imagepolicy": "apps:podinfo:sha"}\n', 'x.yaml', podinfo('2')),
    ).toThrow('x.yaml:1: unknown setter "apps:podinfo:sha"; Flux knows');
    expect(() =>
      setImageTag('a: [\nimage: x # {"$imagepolicy": "apps:podinfo"}\n', 'bad.yaml', podinfo('2')),
    ).toThrow(/^bad\.yaml:\d+: the YAML does not parse/);
    // A broken file that does not concern the app is not ours to judge.
    expect(setImageTag('a: [\n', 'helm-template.yaml', podinfo('2')).found).toBe(0);
  });
});

describe('setImageTag: kustomization images entries', () => {
  const kustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [deployment.yaml]
images:
  # podinfo, marked
  - name: podinfo
    newName: ghcr.io/org/podinfo # {"$imagepolicy": "apps:podinfo:name"}
    newTag: 1.0.0 # {"$imagepolicy": "apps:podinfo:tag"}
  - name: ghcr.io/org/worker
    newTag: "3"
`;

  it('writes newTag through its setter; newName is left as it is', () => {
    const r = setImageTag(kustomization, 'apps/dev/kustomization.yaml', podinfo('1.10'));
    expect(r.found).toBe(2);
    expectOnlyLinesChanged(kustomization, r.text, [8]);
    expect(r.text.split('\n')[7]).toBe('    newTag: "1.10" # {"$imagepolicy": "apps:podinfo:tag"}');
  });

  it('an unmarked entry named after the app gets newTag (added under name when missing); others stay', () => {
    const text = `images:
  - name: ghcr.io/org/podinfo
    newTag: '1.0.0'
  - name: registry:5000/org/podinfo-migrate
  - name: podinfo-sidecar
    newTag: 1.0.0
  - name: ghcr.io/org/podinfo:legacy
`;
    const r = setImageTag(text, 'kustomization.yaml', podinfo('1.20'));
    expect(r.found).toBe(2);
    expect(r.text).toBe(`images:
  - name: ghcr.io/org/podinfo
    newTag: '1.20'
  - name: registry:5000/org/podinfo-migrate
  - name: podinfo-sidecar
    newTag: 1.0.0
  - name: ghcr.io/org/podinfo:legacy
    newTag: "1.20"
`);
    // Only a kustomization is read this way.
    expect(setImageTag(text, 'values.yaml', podinfo('1.20')).found).toBe(0);
  });

  it('an entry pinned by digest is refused when only a tag is given', () => {
    expect(() =>
      setImageTag('images:\n  - name: podinfo\n    digest: sha256:abc\n', 'kustomization.yaml', podinfo('2')),
    ).toThrow(
      'kustomization.yaml:2: the images entry for podinfo pins a digest, and only image-tag 2 was given, so it would stay the old image',
    );
  });
});

describe('tags and scalars', () => {
  it('imageTagProblem accepts what registries accept', () => {
    for (const t of ['a8b91c33', '1.10', '0123', 'v1.2.3-rc.1_build', '_x', 'A'.repeat(128)])
      expect(imageTagProblem(t), t).toBeUndefined();
    for (const t of ['', '-x', '.x', 'v1/2', 'a b', 'a:b', 'A'.repeat(129), 'x#1'])
      expect(imageTagProblem(t), t).toBeDefined();
  });

  it('plainIsString and scalarText keep the original style and quote only when YAML would misread', () => {
    expect(plainIsString('a8b91c33')).toBe(true);
    expect(plainIsString('1:20')).toBe(false); // YAML 1.1 sexagesimal
    expect(plainIsString('yes')).toBe(false); // YAML 1.1 boolean
    expect(scalarText('1.10', 'PLAIN')).toBe('"1.10"');
    expect(scalarText('1.10', 'QUOTE_SINGLE')).toBe("'1.10'");
    expect(scalarText('abc', 'QUOTE_DOUBLE')).toBe('"abc"');
    expect(scalarText('abc', 'PLAIN')).toBe('abc');
  });
});

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'a2'.repeat(32)}`;
const pinned = (tag: string, digest?: string) => ({ ...podinfo(tag), ...(digest ? { digest } : {}) });

describe('setImageTag: digests (Flux :digest setter, full image, kustomization digest)', () => {
  it('imageDigestProblem accepts sha256 and 64 lower-case hex digits only', () => {
    expect(imageDigestProblem(D1)).toBeUndefined();
    for (const d of [
      '',
      'sha256:abc',
      `sha256:${'A'.repeat(64)}`,
      `sha512:${'1'.repeat(64)}`,
      `${D1}\n`,
      `x${D1}`,
    ])
      expect(imageDigestProblem(d), d).toBeDefined();
  });

  it('the :digest setter takes the digest, the :tag setter the tag, the :name setter stays', () => {
    const text = [
      'image:',
      '  repository: ghcr.io/org/podinfo # {"$imagepolicy": "apps:podinfo:name"}',
      '  tag: 1.0.0 # {"$imagepolicy": "apps:podinfo:tag"}',
      `  digest: ${D1} # {"$imagepolicy": "apps:podinfo:digest"}`,
      '',
    ].join('\n');
    const r = setImageTag(text, 'values.yaml', pinned('2.0.0', D2));
    expect(parse(r.text)).toEqual({ image: { repository: 'ghcr.io/org/podinfo', tag: '2.0.0', digest: D2 } });
    expectOnlyLinesChanged(text, r.text, [3, 4]);
    expect(r.changes.map((c) => [c.line, c.via])).toEqual([
      [3, 'tag'],
      [4, 'digest'],
    ]);
    expect(r.digests).toBe(1);
  });

  it('the :digest setter with only a tag given is an error naming file and line', () => {
    const text = `tag: 1.0.0 # {"$imagepolicy": "apps:podinfo:tag"}\ndigest: ${D1} # {"$imagepolicy": "apps:podinfo:digest"}\n`;
    expect(() => setImageTag(text, 'apps/dev/values.yaml', podinfo('2'))).toThrow(
      new ManifestError(
        `apps/dev/values.yaml:2: the apps:podinfo:digest setter pins a digest (${D1}), and only image-tag 2 was given, so the image would stay the old one: give image-digest too (nothing was written)`,
      ),
    );
  });

  it('a full-image setter with a digest given becomes name:tag@digest, replacing an old digest', () => {
    const text = [
      'a: ghcr.io/org/podinfo:1.0.0 # {"$imagepolicy": "apps:podinfo"}',
      `b: localhost:5000/podinfo:1.0.0@${D1} # {"$imagepolicy": "apps:podinfo"}`,
      `c: "ghcr.io/org/podinfo@${D1}" # {"$imagepolicy": "apps:podinfo"}`,
      '',
    ].join('\n');
    const r = setImageTag(text, 'x.yaml', pinned('2.0.0', D2));
    expect(parse(r.text)).toEqual({
      a: `ghcr.io/org/podinfo:2.0.0@${D2}`,
      b: `localhost:5000/podinfo:2.0.0@${D2}`,
      c: `ghcr.io/org/podinfo:2.0.0@${D2}`,
    });
    expect(r.digests).toBe(3);
  });

  it('a full image pinned by digest, given only a tag, is an error naming file and line', () => {
    const text = `a: 1\nimage: ghcr.io/org/podinfo:1.0.0@${D1} # {"$imagepolicy": "apps:podinfo"}\n`;
    expect(() => setImageTag(text, 'apps/dev/deploy.yaml', podinfo('2'))).toThrow(
      /^apps\/dev\/deploy\.yaml:2: the apps:podinfo setter marks an image pinned by digest .*only image-tag 2 was given/,
    );
  });

  it('kustomization images entries take newTag and digest (set in place, or added under name)', () => {
    const text = `images:
  - name: ghcr.io/org/podinfo
    newTag: 1.0.0
    digest: ${D1}
  - name: registry:5000/org/podinfo
`;
    const r = setImageTag(text, 'kustomization.yaml', pinned('2.0.0', D2));
    expect(r.text).toBe(`images:
  - name: ghcr.io/org/podinfo
    newTag: 2.0.0
    digest: ${D2}
  - name: registry:5000/org/podinfo
    newTag: 2.0.0
    digest: ${D2}
`);
    expect(r.digests).toBe(2);
    expect(setImageTag(r.text, 'kustomization.yaml', pinned('2.0.0', D2)).changes).toEqual([]);
  });

  it('a marked entry with an unmarked digest is never left on the old image', () => {
    const text = `images:
  - name: podinfo
    newTag: 1.0.0 # {"$imagepolicy": "apps:podinfo:tag"}
    digest: ${D1}
`;
    expect(() => setImageTag(text, 'kustomization.yaml', podinfo('2'))).toThrow(
      'kustomization.yaml:2: the images entry for podinfo pins a digest that no apps:podinfo:digest setter marks',
    );
    const r = setImageTag(text, 'kustomization.yaml', pinned('2', D2));
    expect(parse(r.text)).toEqual({ images: [{ name: 'podinfo', newTag: '2', digest: D2 }] });
  });

  it('a tag-only setter takes no digest: digests counts 0, so the promotion can refuse', () => {
    const r = setImageTag('tag: 1 # {"$imagepolicy": "apps:podinfo:tag"}\n', 'v.yaml', pinned('2', D2));
    expect(r.found).toBe(1);
    expect(r.digests).toBe(0);
  });
});

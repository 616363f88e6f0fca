import { describe, expect, it } from 'vitest';
import { ManifestError, splitManifests } from '../../src/render/split';

const KUSTOMIZE_OUTPUT = `apiVersion: v1
data:
  mode: "0755"
kind: ConfigMap
metadata:
  name: web-config
  namespace: dev
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: dev
spec:
  replicas: 2
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:web-reader
rules: []
`;

describe('splitManifests', () => {
  it('one file per object, named <kind>-<namespace>-<name>.yaml, sorted, with the renderer’s own bytes', () => {
    const files = splitManifests(KUSTOMIZE_OUTPUT);
    expect(files.map((f) => f.name)).toEqual([
      'clusterrole-system-web-reader.yaml',
      'configmap-dev-web-config.yaml',
      'deployment-dev-web.yaml',
    ]);
    expect(files[1]!.content).toBe(
      'apiVersion: v1\ndata:\n  mode: "0755"\nkind: ConfigMap\nmetadata:\n  name: web-config\n  namespace: dev\n',
    );
    expect(files[0]).toMatchObject({ kind: 'ClusterRole', namespace: '', objectName: 'system:web-reader' });
  });

  it('is deterministic: CRLF, trailing blank lines and document markers do not change the bytes', () => {
    const messy = `---\n\n${KUSTOMIZE_OUTPUT.replace(/\n/g, '\r\n').replace(/---/g, '---\r\n\r\n')}\n\n---\n...\n`;
    expect(splitManifests(messy)).toEqual(splitManifests(KUSTOMIZE_OUTPUT));
    expect(splitManifests(KUSTOMIZE_OUTPUT)).toEqual(splitManifests(KUSTOMIZE_OUTPUT));
  });

  it('keeps Helm’s source comments and YAML 1.1 values as written, skips empty documents', () => {
    const helm = `---
# Source: app/templates/empty.yaml
---
# Source: app/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  enabled: yes
  mode: 0755
---
~
`;
    const [file, ...rest] = splitManifests(helm);
    expect(rest).toEqual([]);
    expect(file!.content).toBe(
      '# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  enabled: yes\n  mode: 0755\n',
    );
  });

  it('unpacks List objects into their items', () => {
    const list = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: dev}
- apiVersion: v1
  kind: Namespace
  metadata:
    name: dev
`;
    const files = splitManifests(list);
    expect(files.map((f) => f.name)).toEqual(['namespace-dev.yaml', 'service-dev-web.yaml']);
    expect(files[0]!.content).toBe('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n');
  });

  it('a document starting on the marker line is read', () => {
    expect(splitManifests('--- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n')[0]!.name).toBe(
      'namespace-a.yaml',
    );
  });

  it('two different objects whose names clash get a hash of their identity', () => {
    const text = `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: dev}
---
apiVersion: networking.gke.io/v1
kind: Certificate
metadata: {name: web, namespace: dev}
`;
    const names = splitManifests(text).map((f) => f.name);
    expect(names).toHaveLength(2);
    for (const n of names) expect(n).toMatch(/^certificate-dev-web-[0-9a-f]{8}\.yaml$/);
    expect(new Set(names).size).toBe(2);
  });

  it.each([
    ['a: [1, 2\n', /document 1 of the rendered output \(line \d+\) is not valid YAML/],
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- 1\n- 2\n',
      /document 2 .* is not a Kubernetes object/,
    ],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n', /a ConfigMap without metadata.name/],
    ['kind: ConfigMap\nmetadata: {name: x}\n', /without apiVersion/],
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
      /holds ConfigMap a twice/,
    ],
  ])('refuses %j', (text, message) => {
    expect(() => splitManifests(text)).toThrow(ManifestError);
    expect(() => splitManifests(text)).toThrow(message);
  });
});

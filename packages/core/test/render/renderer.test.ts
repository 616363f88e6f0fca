import { describe, expect, it } from 'vitest';
import { reason } from '../../src/render/renderer';

describe('reason', () => {
  it('reads kubectl’s klog line', () => {
    expect(
      reason(
        'E1122 22:53:35.259506    7042 run.go:72] "command failed" err="accumulating resources: accumulation err=\'accumulating resources from \\"missing.yaml\\"\'"\n',
      ),
    ).toBe('accumulating resources: accumulation err=\'accumulating resources from "missing.yaml"\'');
  });
  it('takes Error: lines, else the last lines', () => {
    expect(reason('walk.go:74: found symbolic link\nError: template: app/templates/x.yaml:3: bad\n')).toBe(
      'Error: template: app/templates/x.yaml:3: bad',
    );
    expect(reason('')).toBe('it printed no error message');
  });
});

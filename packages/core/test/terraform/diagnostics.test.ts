import { describe, expect, it } from 'vitest';
import { isLockError, parseDiagnostics, parseLockInfo } from '../../src/terraform/diagnostics';

// Output as terraform 1.11 prints it with -no-color (captured from real runs).
const PLAN_ERRORS = `
Error: Unsupported argument

  on main.tf line 2, in resource "terraform_data" "a":
   2:   foo = 1

An argument named "foo" is not expected here.

Error: Reference to undeclared input variable

  on modules/x/main.tf line 5, in resource "terraform_data" "b":
   5:   input = var.nope

An input variable with the name "nope" has not been declared. This variable
can be declared with a variable "nope" {} block.
`;

const LOCKED = `Acquiring state lock. This may take a few moments...

Error: Error acquiring the state lock

Error message: resource temporarily unavailable
Lock Info:
  ID:        99c73dcb-348b-9bd3-1b9f-d4835ed54ed5
  Path:      terraform.tfstate.d/ops/terraform.tfstate
  Operation: OperationTypeApply
  Who:       runner@build-7
  Version:   1.11.4
  Created:   2026-11-22 22:24:04.252186963 +0000 UTC
  Info:      


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time. Please resolve the issue above and try
again. For most commands, you can disable locking with the "-lock=false"
flag, but this is not recommended.
`;

describe('parseDiagnostics', () => {
  it('reads each error with its file, line and explanation', () => {
    expect(parseDiagnostics(PLAN_ERRORS)).toEqual([
      {
        severity: 'error',
        summary: 'Unsupported argument',
        detail: 'An argument named "foo" is not expected here.',
        file: 'main.tf',
        line: 2,
      },
      {
        severity: 'error',
        summary: 'Reference to undeclared input variable',
        detail:
          'An input variable with the name "nope" has not been declared. This variable can be declared with a variable "nope" {} block.',
        file: 'modules/x/main.tf',
        line: 5,
      },
    ]);
  });

  it('reads framed diagnostics too, and warnings', () => {
    const framed = '╷\n│ Warning: Unable to open CLI configuration file\n│\n│ The file does not exist.\n╵\n';
    expect(parseDiagnostics(framed)).toEqual([
      {
        severity: 'warning',
        summary: 'Unable to open CLI configuration file',
        detail: 'The file does not exist.',
      },
    ]);
  });
});

describe('state lock', () => {
  it('recognises the lock error and reads who holds it', () => {
    expect(isLockError(LOCKED)).toBe(true);
    expect(isLockError(PLAN_ERRORS)).toBe(false);
    expect(parseLockInfo(LOCKED)).toEqual({
      id: '99c73dcb-348b-9bd3-1b9f-d4835ed54ed5',
      path: 'terraform.tfstate.d/ops/terraform.tfstate',
      operation: 'OperationTypeApply',
      who: 'runner@build-7',
      created: '2026-11-22 22:24:04.252186963 +0000 UTC',
    });
  });
});

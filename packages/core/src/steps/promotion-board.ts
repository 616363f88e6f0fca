import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readBoard } from '../board/board';
import { boardHtml } from '../board/render-html';
import { summaryMarkdown, textTable } from '../board/render-markdown';
import type { Config } from '../config/model';
import { InputError } from '../errors';
import { Inputs } from '../inputs';
import { summarySection } from '../markdown';
import { insideRepository } from '../paths';
import { nameProblem } from '../promotion/metadata';
import type { Outputs, Step, StepRuntime } from '../runtime';
import { stepConfig } from '../settings/config';
import { environmentInput } from '../settings/environment';

export const PROMOTION_BOARD_OUTPUTS = ['board', 'html-file'] as const;
export type PromotionBoardOutput = (typeof PROMOTION_BOARD_OUTPUTS)[number];

interface BoardSettings {
  config: Config;
  environments: string[];
  htmlFile: string;
  groups: string[];
  apps: string[];
}

/** Every setting, checked before the first API call. */
function settings(rt: StepRuntime): BoardSettings {
  const inputs = new Inputs(rt);
  const { workspace, tempDir } = rt.context;
  const config = stepConfig(inputs, workspace);
  const given = inputs.lines('environment');
  const environments = given.length
    ? config.environments.filter((e) => given.includes(e.name)).map((e) => e.name)
    : config.environments.map((e) => e.name);
  for (const name of given) environmentInput(config, 'environment', name);
  const names = (input: string) => {
    const values = inputs.lines(input);
    for (const v of values) {
      const problem = nameProblem(v);
      if (problem) throw new InputError(input, v, problem);
    }
    return values;
  };
  const file = inputs.string('html-file');
  // '' : the default, made in run (a folder of its own when the platform has no job temp folder).
  const htmlFile = file
    ? insideRepository('html-file', file, { root: workspace, allowTemp: true, tempDir })
    : '';
  return { config, environments, htmlFile, groups: names('group'), apps: names('app') };
}

export const promotionBoard: Step<PromotionBoardOutput> = {
  name: 'promotion-board',
  description: 'show where every environment is and what waits to reach it (read-only)',
  inputs: ['environment', 'html-file', 'group', 'app', 'config', 'token', 'provider'],
  outputs: PROMOTION_BOARD_OUTPUTS,
  async run(rt: StepRuntime, services, out: Outputs<PromotionBoardOutput> = {}) {
    const s = settings(rt);
    const provider = await services.provider();
    const board = await readBoard(provider, s.config, {
      workspace: rt.context.workspace,
      environments: s.environments,
      groups: s.groups,
      apps: s.apps,
      now: new Date(),
    });
    for (const note of board.notes) rt.warning(note);
    const htmlFile = s.htmlFile || defaultPage(rt.context.tempDir);
    mkdirSync(dirname(htmlFile), { recursive: true });
    writeFileSync(htmlFile, boardHtml(board, rt.context.repository));
    out.board = JSON.stringify(board);
    out['html-file'] = htmlFile;
    if (rt.platform === 'terminal') await rt.summary(textTable(board));
    // Azure DevOps shows Mermaid as code: its summary has the table, and the page goes with the run.
    else await rt.summary(summaryMarkdown(board, rt.platform !== 'azure'), summarySection('promotion-board'));
    await rt.attach?.(htmlFile, 'promotion-board');
    rt.info(`promotion board: ${htmlFile}`);
    return out;
  },
};

function defaultPage(tempDir: string | undefined): string {
  const dir = tempDir ?? mkdtempSync(join(tmpdir(), 'gitops-promote-board-'));
  return join(dir, 'gitops-promote-board.html');
}

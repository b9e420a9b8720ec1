// Stage 4: the static site and Markdown tables.
import type { Model } from '../model/types.js';
import type { Analysis } from '../analyze/index.js';

export interface RenderOptions {
  title: string;
  description?: string;
}

export interface RenderResult {
  /** Files written, relative to the output folder. */
  files: string[];
}

export async function renderSite(model: Model, analysis: Analysis, outDir: string, options: RenderOptions): Promise<RenderResult> {
  void model;
  void analysis;
  void outDir;
  void options;
  return { files: [] };
}

import { pretrainedName, type BaseWeights, type PretrainedCatalog, type Task } from '$contract';

/** Where a job's pretrained start comes from: the server's copy, the runner's download, none. */
export type PretrainedChoice = {
  name: string;
  source: 'server' | 'runner' | 'none';
  /** What the user is told about it, with how to get the file onto an offline server. */
  message: string;
};

export function pretrainedChoice(
  catalog: PretrainedCatalog | null,
  architecture: string,
  task: Task,
): PretrainedChoice {
  const name = pretrainedName(architecture, task);
  const folder = catalog?.folder ?? 'data/weights';
  const offline = `put the official ${name} in the server's ${folder} folder or upload it on the Models page`;
  if (catalog?.files.some((f) => f.name === name)) {
    return {
      name,
      source: 'server',
      message: `Starts from Ultralytics' pretrained ${name} (on this server): it already knows edges and shapes, so a few dozen photos can be enough.`,
    };
  }
  if (catalog?.runnerDownload) {
    return {
      name,
      source: 'runner',
      message: `Starts from Ultralytics' pretrained ${name}: the runner downloads it once from Ultralytics' releases and checks its digest. Without internet there, the job says so and starts from scratch; for an offline server, ${offline}.`,
    };
  }
  return {
    name,
    source: 'none',
    message: `No pretrained ${name} on this server, so training starts from scratch (random weights), which needs hundreds of photos to find anything. To fix it, download ${name} from Ultralytics' releases on a machine with internet, then ${offline}.`,
  };
}

/** The job's baseWeights for a choice; undefined: built from the architecture's YAML. */
export function pretrainedBase(choice: PretrainedChoice): BaseWeights | undefined {
  return choice.source === 'none' ? undefined : { kind: 'pretrained', name: choice.name };
}

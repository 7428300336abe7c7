// Loading the views that draw with ink.

const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/**
 * Loads a module that draws with ink, with ink told it draws in a terminal. ink reads the CI
 * variables once, as it loads (is-in-ci), and when they are set it draws only the last frame, at
 * exit. zcnas draws live only when stdin and stdout are a terminal (or when asked to, with
 * --interactive), and then a CI variable inherited by that terminal (a CI job driving tmux, a shell
 * that exports CI) must not leave the screen blank. The variables are restored once ink has loaded,
 * so nothing else sees the change.
 */
export async function loadDrawing<T>(load: () => Promise<T>): Promise<T> {
  const saved = CI_VARIABLES.map((k) => [k, process.env[k]] as const);
  for (const k of CI_VARIABLES) process.env[k] = '0';
  try {
    return await load();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

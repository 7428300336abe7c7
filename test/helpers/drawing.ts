// Imported first by tests that render ink views: loads ink as zcnas does before drawing live, so the
// views draw every frame even when the tests run with CI set (as CI does).
import { loadDrawing } from '../../cli/ui/load.js';

await loadDrawing(() => import('ink'));

export { estimateThreeLevel, threeLevelStarts, type ThreeLevelOptions } from './estimate.js';
export { compileThreeLevel, threeLevelLoglik, type ThreeLevelProblem } from './likelihood.js';

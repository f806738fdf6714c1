// Which metrics a comparison draws: the final values as boxplots, the per-epoch ones as
// learning curves. Shared by the HTML report and the UI's comparison (compareExperiments).

export const BOXPLOT_METRICS = ['test_acc', 'test_loss', 'time', 'model_evals'];
export const CURVE_METRICS = ['val_loss', 'val_acc', 'train_loss'];

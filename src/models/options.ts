/** The options every classifier builder takes, as torchvision's `num_classes`. */
export interface ClassifierOptions<Classes extends number | undefined = number | undefined> {
  /** The number of logits (default 1000, ImageNet's classes). */
  readonly numClasses?: Classes;
}

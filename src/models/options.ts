/** The options every classifier builder takes, as torchvision's `num_classes`. */
export interface ClassifierOptions<Classes extends number | undefined = number | undefined> {
  /** The number of logits (default 1000, ImageNet's classes). */
  readonly numClasses?: Classes;
}

/**
 * The options of the segmentation builders, as torchvision's `num_classes` and `aux_loss`: the
 * auxiliary head (and `aux` in the output) exists exactly when `auxLoss` is true.
 */
export interface SegmentationOptions<
  Classes extends number | undefined = number | undefined,
  Aux extends boolean | undefined = boolean | undefined,
> {
  /** The number of classes (default 21, Pascal VOC's with the background). */
  readonly numClasses?: Classes;
  /** Whether to add the auxiliary classifier (default false). */
  readonly auxLoss?: Aux;
}

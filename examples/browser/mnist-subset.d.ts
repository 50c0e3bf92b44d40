/** The module `vite.config.ts` generates at build time from the `mnist` package's digits. */
declare module "virtual:mnist-subset" {
  /** Base64 of `count` 28x28 images, one byte per pixel (0..255), row-major. */
  export const trainImages: string;
  /** Base64 of one byte per image: the digit. */
  export const trainLabels: string;
  export const testImages: string;
  export const testLabels: string;
}

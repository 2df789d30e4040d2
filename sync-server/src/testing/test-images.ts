/**
 * Tiny real images for tests (not imported by app code). The PNG is 2x2 red, made with zlib and
 * correct CRCs, so any decoder accepts it.
 */
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==';

/** The same PNG as a data URL, as old clients sent screenshots. */
export const TINY_PNG_DATA_URL = `data:image/png;base64,${TINY_PNG_BASE64}`;

/** Blob storage: the BlobStore interface, its file-system and S3 implementations, keys and verification. */
export * from './blob-key';
export * from './blob-store';
export * from './fs-blob-store';
export * from './s3-blob-store';
export * from './verify-blob';

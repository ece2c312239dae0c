import { createReadStream } from 'node:fs';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ObjectInfo, PutOptions, Storage } from '../../ports.js';

export type S3Options = {
  /** For MinIO, Ceph, s3rver…: `http://host:port`. Leave out for AWS. */
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style URLs (`host/bucket/key`): needed by most self-hosted stores. */
  forcePathStyle: boolean;
  /** Lifetime of presigned GET URLs, in seconds (the original used a year; 7 days is S3's maximum). */
  urlExpiry: number;
  /** Files above this many bytes go up in parts of this size. */
  partSize: number;
  /** Keys per listing request (S3's maximum is 1,000). */
  pageSize?: number;
};

export const DEFAULT_URL_EXPIRY = 7 * 24 * 3600;

const notFound = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

/**
 * The SDK retries a request that fails, but not a response whose body is cut off while it is
 * read (a store restarting, a proxy closing the connection): that surfaces as ECONNRESET or
 * "aborted", and reading again is safe.
 */
const BODY_RETRIES = 2;
const cutOff = (err: unknown): boolean => {
  const e = err as { code?: string; message?: string };
  return (
    e.code === 'ECONNRESET' || e.code === 'EPIPE' || /^aborted$|socket hang up|premature close/i.test(e.message ?? '')
  );
};
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Storage in any S3-compatible store through the AWS SDK. */
export class S3Storage implements Storage {
  private readonly client: S3Client;

  constructor(private readonly opts: S3Options) {
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region,
      forcePathStyle: opts.forcePathStyle,
      credentials:
        opts.accessKeyId && opts.secretAccessKey
          ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey }
          : undefined,
      // Streamed bodies are otherwise sent aws-chunked with a trailer, which some S3-compatible
      // stores save as part of the object.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async ensureBucket(bucket: string): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (err) {
      if (!notFound(err)) throw err;
      try {
        await this.client.send(new CreateBucketCommand({ Bucket: bucket }));
      } catch (e) {
        const name = (e as { name?: string }).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw e;
      }
    }
  }

  async put(bucket: string, key: string, body: Uint8Array, opts: PutOptions = {}): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: opts.contentType,
        Metadata: opts.metadata,
      }),
    );
  }

  async putFile(bucket: string, key: string, file: string, opts: PutOptions = {}): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: bucket,
        Key: key,
        Body: createReadStream(file),
        ContentType: opts.contentType,
        Metadata: opts.metadata,
      },
      partSize: this.opts.partSize,
      queueSize: 4,
    });
    await upload.done();
  }

  async get(bucket: string, key: string): Promise<Uint8Array | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await r.Body!.transformToByteArray();
      } catch (err) {
        if (notFound(err)) return undefined;
        if (attempt >= BODY_RETRIES || !cutOff(err)) throw err;
        await pause(50 * (attempt + 1));
      }
    }
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return {
        key,
        size: r.ContentLength ?? 0,
        lastModified: r.LastModified ?? new Date(0),
        contentType: r.ContentType,
        metadata: r.Metadata ?? {},
      };
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async *list(bucket: string, prefix = ''): AsyncIterable<ObjectInfo> {
    for await (const page of paginateListObjectsV2(
      { client: this.client, pageSize: this.opts.pageSize ?? 1000 },
      { Bucket: bucket, Prefix: prefix },
    )) {
      for (const o of page.Contents ?? []) {
        yield { key: o.Key!, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0), metadata: {} };
      }
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  url(bucket: string, key: string, expiresIn = this.opts.urlExpiry): Promise<string | undefined> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

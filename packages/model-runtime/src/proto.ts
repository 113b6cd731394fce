/**
 * The subset of TensorFlow's protobuf schemas the loader needs, transcribed field-by-field from
 * tensorflow/core/protobuf/{saved_model,meta_graph,saved_object_graph,trackable_object_graph,tensor_bundle}.proto,
 * tensorflow/core/framework/{tensor_shape,types}.proto and keras/protobuf/saved_metadata.proto. Fields we never
 * read are omitted: protobuf skips unknown fields, so the partial schemas decode the real files.
 */
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package mserve.tf;

message TensorShapeProto {
  message Dim { int64 size = 1; string name = 2; }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}

message BundleHeaderProto {
  enum Endianness { LITTLE = 0; BIG = 1; }
  int32 num_shards = 1;
  Endianness endianness = 2;
}

message BundleEntryProto {
  int32 dtype = 1;
  TensorShapeProto shape = 2;
  int32 shard_id = 3;
  int64 offset = 4;
  int64 size = 5;
  fixed32 crc32c = 6;
  repeated bytes slices = 7;
}

message ObjectReference { int32 node_id = 1; string local_name = 2; }

message SavedUserObject { string identifier = 1; string metadata = 3; }

message SavedVariable { int32 dtype = 1; TensorShapeProto shape = 2; bool trainable = 3; string name = 6; }

message SavedObject {
  repeated ObjectReference children = 1;
  oneof kind {
    SavedUserObject user_object = 4;
    SavedVariable variable = 7;
  }
}

message SavedObjectGraph { repeated SavedObject nodes = 1; }

message MetaGraphDef { SavedObjectGraph object_graph_def = 7; }

message SavedModel {
  int64 saved_model_schema_version = 1;
  repeated MetaGraphDef meta_graphs = 2;
}

message KerasSavedObject {
  int32 node_id = 2;
  string node_path = 3;
  string identifier = 4;
  string metadata = 5;
}

message KerasSavedMetadata { repeated KerasSavedObject nodes = 1; }
`;

const root = protobuf.parse(SCHEMA, { keepCase: true }).root;

/** A message type of the schema above (package-internal; tests encode fixtures with it). */
export function protoType(name: string): protobuf.Type {
  return root.lookupType(`mserve.tf.${name}`);
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: Number, defaults: true, arrays: true };

function decoder<T>(name: string): (bytes: Uint8Array) => T {
  const t = protoType(name);
  return (bytes) => t.toObject(t.decode(bytes), TO_OBJECT) as T;
}

export interface TensorShape {
  dim: { size: number; name: string }[];
  unknown_rank: boolean;
}
export interface BundleHeader {
  num_shards: number;
  endianness: number;
}
export interface BundleEntry {
  dtype: number;
  shape?: TensorShape | null;
  shard_id: number;
  offset: number;
  size: number;
  crc32c: number;
  slices: Uint8Array[];
}
export interface SavedObjectNode {
  children: { node_id: number; local_name: string }[];
  user_object?: { identifier: string; metadata: string } | null;
  variable?: { dtype: number; name: string } | null;
}
export interface SavedModelMessage {
  saved_model_schema_version: number;
  meta_graphs: { object_graph_def?: { nodes: SavedObjectNode[] } | null }[];
}
export interface KerasMetadataMessage {
  nodes: { node_id: number; node_path: string; identifier: string; metadata: string }[];
}

export const decodeBundleHeader = decoder<BundleHeader>('BundleHeaderProto');
export const decodeBundleEntry = decoder<BundleEntry>('BundleEntryProto');
export const decodeSavedModel = decoder<SavedModelMessage>('SavedModel');
export const decodeKerasMetadata = decoder<KerasMetadataMessage>('KerasSavedMetadata');

/** TensorFlow DataType enum values (types.proto) with their element sizes where fixed. */
export const DTYPES: Record<number, { name: string; bytes?: number }> = {
  1: { name: 'float32', bytes: 4 },
  2: { name: 'float64', bytes: 8 },
  3: { name: 'int32', bytes: 4 },
  4: { name: 'uint8', bytes: 1 },
  5: { name: 'int16', bytes: 2 },
  6: { name: 'int8', bytes: 1 },
  7: { name: 'string' },
  9: { name: 'int64', bytes: 8 },
  10: { name: 'bool', bytes: 1 },
  14: { name: 'bfloat16', bytes: 2 },
  19: { name: 'float16', bytes: 2 },
};

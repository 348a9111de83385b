/** MLCommons Chakra graphs: `.et` protobuf streams (chakra-et) and Chakra JSON feeder files (chakra-json). */
export { chakraEtImporter, isChakraEt } from "./et";
export { chakraJsonImporter } from "./json";
export { schedule, writeGraph, type ChakraNode } from "./graph";

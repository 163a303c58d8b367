/**
 * EIP-712 typed data in the shape ethers v6 signs: `signer.signTypedData(domain, types, value)`.
 *
 * The SDK's builders (sdk/chain: `stageAttestationTypedData`, `wyriweAttestationTypedData`)
 * return viem's shape `{ domain, types, primaryType, message }`; ethers takes the three
 * parts separately, without an `EIP712Domain` entry in `types` (ethers derives it from the
 * domain and refuses a second root type), and infers the primary type.
 */
import type { TypedDataDomain, TypedDataField } from "ethers";
import {
  type StageAttestationParameters,
  type WyriweAttestationParameters,
  stageAttestationTypedData,
  wyriweAttestationTypedData,
} from "../chain/attestation.js";
import { EthersParameterError } from "./errors.js";

export type EthersTypedData = {
  domain: TypedDataDomain;
  types: Record<string, TypedDataField[]>;
  /** The message (ethers calls it `value`). */
  value: Record<string, unknown>;
  /** For reference; ethers infers it from `types`. */
  primaryType: string;
};

export type ToEthersTypedDataParameters = {
  domain: Record<string, unknown>;
  types: Record<string, readonly { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, unknown>;
};

/** viem-shaped typed data → ethers' `(domain, types, value)`. Throws `EthersParameterError`. */
export function toEthersTypedData(typedData: ToEthersTypedDataParameters): EthersTypedData {
  if (typeof typedData !== "object" || typedData === null) throw new EthersParameterError("typedData", "expected { domain, types, primaryType, message }");
  const { domain, types, primaryType, message } = typedData;
  if (typeof domain !== "object" || domain === null) throw new EthersParameterError("typedData.domain", "expected an object");
  if (typeof types !== "object" || types === null) throw new EthersParameterError("typedData.types", "expected an object");
  if (typeof primaryType !== "string" || !Array.isArray(types[primaryType])) throw new EthersParameterError("typedData.primaryType", `no type ${String(primaryType)} in types`);
  if (typeof message !== "object" || message === null) throw new EthersParameterError("typedData.message", "expected an object");
  const out: Record<string, TypedDataField[]> = {};
  for (const [name, fields] of Object.entries(types)) {
    if (name === "EIP712Domain") continue;
    out[name] = fields.map((f) => ({ name: f.name, type: f.type }));
  }
  const d: TypedDataDomain = {};
  if (typeof domain.name === "string") d.name = domain.name;
  if (typeof domain.version === "string") d.version = domain.version;
  if (domain.chainId !== undefined) d.chainId = domain.chainId as bigint | number;
  if (typeof domain.verifyingContract === "string") d.verifyingContract = domain.verifyingContract;
  if (typeof domain.salt === "string") d.salt = domain.salt;
  return { domain: d, types: out, value: { ...message }, primaryType };
}

/** The EcdsaAttestationVerifier's StageAttestation, for `signer.signTypedData(domain, types, value)`. */
export function ethersStageAttestationTypedData(parameters: StageAttestationParameters): EthersTypedData {
  return toEthersTypedData(stageAttestationTypedData(parameters) as unknown as ToEthersTypedDataParameters);
}

/** The WyriweAttestationVerifier's WyriweAttestation, for `signer.signTypedData(domain, types, value)`. */
export function ethersWyriweAttestationTypedData(parameters: WyriweAttestationParameters): EthersTypedData {
  return toEthersTypedData(wyriweAttestationTypedData(parameters) as unknown as ToEthersTypedDataParameters);
}

export {
  createPdfSignatureVerifier,
  createTrustStore,
  verifyPdfSignature,
  type PdfSignatureVerifier,
  type SignatureInvalidReason,
  type SignatureOutcome,
  type SignatureUntrustedReason,
  type SignerInfo,
  type VerifyPdfOptions,
} from './verify-pdf.js'

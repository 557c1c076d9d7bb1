export {
  createDetailedPdfVerifier,
  createPdfSignatureVerifier,
  createTrustStore,
  verifyPdfSignature,
  type DetailedPdfVerifier,
  type PdfSignatureVerifier,
  type VerifyDetails,
  type SignatureInvalidReason,
  type SignatureOutcome,
  type SignatureUntrustedReason,
  type SignerInfo,
  type VerifyPdfOptions,
} from './verify-pdf.js'

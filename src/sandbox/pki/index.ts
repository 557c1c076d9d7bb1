export { createTestPki, type TestCertificate, type TestPki, type TestPkiOptions, type TestSigner } from './test-pki.js'
export { buildPdf } from './pdf.js'
export { createDetachedCms, sha256Hex, signPdf, type SignPdfOptions } from './sign-pdf.js'
export { FIXTURE_TEXT, makeSignatureFixtures, pseudoRandomBytes, type SignatureFixtures } from './fixtures.js'

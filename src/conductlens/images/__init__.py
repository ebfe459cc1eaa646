"""Images in the evidence: perceptual hashes, force hash lists, the seal for suspected
indecent images of children, text read from pictures, a sexual-imagery classifier, and safe
viewing (blurred, scoped, audited, metadata stripped).

Everything here runs after ingest, as a background pass (``conductlens images scan``), so
ingest speed does not change and a reviewer never waits for it.
"""

"""`revka doctor models`: prove that every configured provider is reachable, accepts its key and
serves the model it should.

The core never raises for a provider problem: every outcome is a `Check` inside a `ProviderReport`.
Import the submodule you need: `doctor.run` (the entry point), `doctor.results` (the data),
`doctor.report` (JSON, JUnit and plain-text renderings).
"""

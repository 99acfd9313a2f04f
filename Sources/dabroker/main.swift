import DaBrokerCLI

await DaBrokerCommand.runMain()

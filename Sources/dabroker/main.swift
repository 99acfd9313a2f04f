import DaBrokerCLI

await DaBrokerCommand.main()

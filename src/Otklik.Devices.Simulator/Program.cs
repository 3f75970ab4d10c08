// otklik-sim run        press many SMART buttons at a rate over MQTT, HTTP or both; print a summary
// otklik-sim press      press one button once
// otklik-sim provision  create buttons through the REST API and write devices.json
// otklik-sim store-day  play a store's day: hourly visitor counts, sellers' sales attempts, loyalty button presses
return await Otklik.Devices.Simulator.Cli.InvokeAsync(args);

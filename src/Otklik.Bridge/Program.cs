// The bridge agent for the shop PC: see issue "Loyalty buttons START".
Console.WriteLine("otklik-bridge: not implemented yet");
return 1;

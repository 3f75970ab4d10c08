Console.WriteLine("otklik-sim: not implemented yet");
return 1;

%% -*- erlang -*-
%% bench/erlang/call.erl: the BEAM twin of bench/call.lua.
%% gen_server call round trip, median of N calls.
%%
%%   escript bench/erlang/call.erl [N=10000]
%%   -> call call_us=<float> n=<N>
-module(call).
-behaviour(gen_server).
-export([main/1, init/1, handle_call/3, handle_cast/2]).
-mode(compile).

main(Args) ->
    N = case Args of [] -> 10000; [A | _] -> list_to_integer(A) end,
    {ok, Server} = gen_server:start_link(?MODULE, [], []),
    [gen_server:call(Server, warm) || _ <- lists:seq(1, 100)],
    Times = [begin
                 T0 = erlang:monotonic_time(nanosecond),
                 gen_server:call(Server, I),
                 erlang:monotonic_time(nanosecond) - T0
             end || I <- lists:seq(1, N)],
    Median = lists:nth((N + 1) div 2, lists:sort(Times)),
    io:format("call call_us=~.3f n=~b~n", [Median / 1000, N]).

init([]) -> {ok, 0}.
handle_call(Req, _From, N) -> {reply, Req, N + 1}.
handle_cast(_, N) -> {noreply, N}.

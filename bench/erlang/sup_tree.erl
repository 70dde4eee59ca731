%% -*- erlang -*-
%% bench/erlang/sup_tree.erl: the BEAM twin of bench/sup_tree.lua.
%% One one_for_one root over K one_for_one supervisors of C gen_server
%% workers each; the time from the root's start_link to its return, divided
%% by the K * C workers, in wall-clock time and in the emulator's CPU time
%% (statistics(runtime), all schedulers, in ms).
%%
%%   escript bench/erlang/sup_tree.erl K [C=10]
%%   -> sup_tree us_per_child=<float> cpu_us_per_child=<float> sups=<K> children=<K*C>
-module(sup_tree).
-behaviour(supervisor).
-export([main/1, init/1, start_sup/1, start_worker/0]).
-export([handle_call/3, handle_cast/2]).
-mode(compile).

main(Args) ->
    {K, C} = case Args of
                 [] -> {1000, 10};
                 [A] -> {list_to_integer(A), 10};
                 [A, B | _] -> {list_to_integer(A), list_to_integer(B)}
             end,
    true = K >= 1 andalso C >= 1,
    {_, _} = statistics(runtime),
    T0 = erlang:monotonic_time(nanosecond),
    {ok, _Root} = supervisor:start_link(?MODULE, {root, K, C}),
    T1 = erlang:monotonic_time(nanosecond),
    {_, CpuMs} = statistics(runtime),
    io:format("sup_tree us_per_child=~.3f cpu_us_per_child=~.3f sups=~b children=~b~n",
              [(T1 - T0) / 1000 / (K * C), CpuMs * 1000 / (K * C), K, K * C]).

start_sup(C) -> supervisor:start_link(?MODULE, {sup, C}).
start_worker() -> gen_server:start_link(?MODULE, worker, []).

%% supervisor and gen_server callbacks share init/1
init({root, K, C}) ->
    {ok, {#{strategy => one_for_one},
          [#{id => I, start => {?MODULE, start_sup, [C]}, type => supervisor}
           || I <- lists:seq(1, K)]}};
init({sup, C}) ->
    {ok, {#{strategy => one_for_one},
          [#{id => J, start => {?MODULE, start_worker, []}} || J <- lists:seq(1, C)]}};
init(worker) ->
    {ok, 0}.

handle_call(_, _From, N) -> {reply, N, N}.
handle_cast(_, S) -> {noreply, S}.
